import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a session's sound server lives. It runs inside the session's own sandbox (sound-server.sh,
 * started by sandbox/session-init.sh before the app) rather than in a sandbox of its own: it then
 * has exactly the app's rights and limits (its memory and CPU count against the session's cgroup,
 * it dies with the sandbox's PID namespace, also on a crash), so an app that takes it over through
 * its socket wins nothing it did not have. The host never speaks PulseAudio's protocol to it: the
 * sink writes raw PCM into a pipe (`SINK_PIPE`), the only thing the server reads, so whatever the
 * sandbox puts there can only ever be noise.
 */
export const AUDIO_MOUNT = '/run/vitrine/audio';
/** The script inside the sandbox; session-init.sh starts it when it exists. */
export const SOUND_SERVER_SCRIPT = '/run/vitrine/sound-server';
/** What the app's PulseAudio clients connect to (PULSE_SERVER). */
export const SOUND_SOCKET = `${AUDIO_MOUNT}/native`;
const HOST_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sound-server.sh');

/** The sink's PCM, as written into the pipe: signed 16-bit little-endian, interleaved (sound-server.sh). */
export const AUDIO_FORMAT = { sampleFormat: 's16le', rate: 48000, channels: 2 } as const;
export const BYTES_PER_FRAME = 2 * AUDIO_FORMAT.channels;

/** The session folder's part for sound: the host side of AUDIO_MOUNT. */
export function audioDir(sessionDir: string): string {
  return path.join(sessionDir, 'audio');
}

/** Host path of the pipe the sink writes into. */
export function sinkPipe(sessionDir: string): string {
  return path.join(audioDir(sessionDir), 'sink.pcm');
}

/** bubblewrap arguments of a session with sound: the script, its folder, and the app's PULSE_SERVER. */
export function soundServerBinds(sessionDir: string): string[] {
  return [
    '--ro-bind',
    HOST_SCRIPT,
    SOUND_SERVER_SCRIPT,
    '--bind',
    audioDir(sessionDir),
    AUDIO_MOUNT,
    '--setenv',
    'PULSE_SERVER',
    `unix:${SOUND_SOCKET}`,
  ];
}
