import { describe, expect, it } from 'vitest';
import { participantsView } from './participants.ts';

const cleo = (controlling: boolean) => ({ name: 'Cleo', role: 'client' as const, controlling });
const olive = (controlling: boolean) => ({ name: 'Olive', role: 'watcher' as const, controlling });

describe('participants in the viewer header', () => {
  it('tells the client who watches, and lets them take back the controls a watcher holds', () => {
    const watching = participantsView({
      type: 'participants',
      you: 'client',
      recorded: true,
      participants: [cleo(true), olive(false)],
    });
    expect(watching).toEqual({ recorded: true, notices: ['Olive is watching'], inControl: true, action: null });
    const driving = participantsView({
      type: 'participants',
      you: 'client',
      recorded: false,
      participants: [cleo(false), olive(true)],
    });
    expect(driving).toEqual({
      recorded: false,
      notices: ['Olive has control'],
      inControl: false,
      action: { action: 'hand-back', label: 'Take back control' },
    });
  });

  it('tells a watcher they only watch until they take control, then offers to hand it back', () => {
    const only = participantsView({
      type: 'participants',
      you: 'watcher',
      recorded: true,
      participants: [cleo(true), olive(false)],
    });
    expect(only).toMatchObject({
      notices: ['Watching Cleo · view only'],
      inControl: false,
      action: { action: 'take' },
    });
    const mine = participantsView({
      type: 'participants',
      you: 'watcher',
      recorded: true,
      participants: [cleo(false), olive(true)],
    });
    expect(mine).toMatchObject({ inControl: true, action: { action: 'hand-back', label: 'Hand back' } });
  });

  it('says nothing before the server has spoken, and the client drives', () => {
    expect(participantsView(null)).toEqual({ recorded: false, notices: [], inControl: true, action: null });
  });
});
