/**
 * What the viewer's header says about who is in a session (the server's `participants`): the
 * client always sees who watches and whether they hold the controls; a watcher sees that they
 * only watch until they take control. Pure: the header renders what this returns.
 */
import type { ControlAction } from '@vitrine/protocol';
import type { Participants } from './webrtcSession.ts';

export interface ParticipantsView {
  /** The session is being recorded for the share's owner. */
  recorded: boolean;
  /** Short statements, each shown as a chip: "Olive is watching", "Olive has control". */
  notices: string[];
  /** Whether this viewer's input reaches the app. */
  inControl: boolean;
  /** The one control action this viewer may take now, with its button's label. */
  action: { action: ControlAction; label: string } | null;
}

export function participantsView(p: Participants | null): ParticipantsView {
  if (!p) return { recorded: false, notices: [], inControl: true, action: null };
  const watchers = p.participants.filter((x) => x.role === 'watcher');
  const client = p.participants.find((x) => x.role === 'client');
  const driver = p.participants.find((x) => x.controlling);
  if (p.you === 'client') {
    const notices = watchers.map((w) => (w.controlling ? `${w.name} has control` : `${w.name} is watching`));
    const watcherDrives = driver?.role === 'watcher';
    return {
      recorded: p.recorded,
      notices,
      inControl: !watcherDrives,
      action: watcherDrives ? { action: 'hand-back', label: 'Take back control' } : null,
    };
  }
  // A watcher: more than one may watch; "you" is the watcher that drives, when one does and it is us.
  const mine = driver?.role === 'watcher';
  const who = client?.name ?? 'the client';
  return {
    recorded: p.recorded,
    notices: [mine ? `You have control of ${who}'s session` : `Watching ${who} · view only`],
    inControl: mine,
    action: mine ? { action: 'hand-back', label: 'Hand back' } : { action: 'take', label: 'Take control' },
  };
}
