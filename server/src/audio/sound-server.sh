#!/bin/sh
# The session's sound server, started inside the session's sandbox by session-init.sh before the
# app (so it has exactly the app's rights, limits and lifetime: nothing a client of it could win).
# PulseAudio with one output that writes raw PCM into a pipe the server reads from outside, and
# nothing else: no input devices (the sandbox has none), no network modules, no module loading at
# run time, no auto-exit, no pid file. The sink suspends after 1 s without playing streams, and
# then nothing is written, read or encoded. The format here is AUDIO_FORMAT in sound-server.ts.
exec pulseaudio -n --daemonize=no --exit-idle-time=-1 --disallow-exit --disallow-module-loading \
  --use-pid-file=no --system=no --realtime=no --high-priority=no --no-cpu-limit --log-level=warn \
  -L "module-pipe-sink file=/run/vitrine/audio/sink.pcm sink_name=vitrine format=s16le rate=48000 channels=2 use_system_clock_for_timing=yes" \
  -L "module-native-protocol-unix socket=/run/vitrine/audio/native auth-anonymous=1" \
  -L "module-suspend-on-idle timeout=1" \
  2>/run/vitrine/log/sound.log
