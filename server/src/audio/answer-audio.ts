/**
 * The viewer's answer for the sound: receive only, in Opus. Anything that would send audio into
 * the session (a microphone) is refused outright, although the server offered send-only and
 * never reads what arrives: a browser's answer is hostile input.
 */
export function assertReceiveOnlyAudio(answerSdp: string, negotiatedMime: string | undefined): void {
  const sections = answerSdp.split(/\r?\n(?=m=)/).filter((s) => s.startsWith('m=audio'));
  if (sections.length !== 1) throw new Error('the answer must have exactly one audio section');
  if (/^m=audio 0 /.test(sections[0]!)) return; // declined: a session without sound for this viewer
  const direction = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(sections[0]!)?.[1] ?? 'sendrecv';
  if (direction === 'sendrecv' || direction === 'sendonly') throw new Error('the viewer may not send audio');
  if (direction === 'recvonly' && negotiatedMime?.toLowerCase() !== 'audio/opus') {
    throw new Error('the answer did not accept Opus for the sound');
  }
}
