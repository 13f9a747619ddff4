#!/usr/bin/env bash
# Start a PulseAudio daemon whose default sink is a null sink ("vsink") and whose default source is
# that sink's monitor, so audio played by Lumi can be recorded back without a sound card
# (docs/toolchain.md §2). Idempotent: a running daemon is reused and the sink added if missing.
#
#   source scripts/pulse-null.sh   # also exports XDG_RUNTIME_DIR, PULSE_SERVER, ALSA_CONFIG_PATH
#   scripts/pulse-null.sh          # only makes sure the daemon is up
#   scripts/pulse-null.sh stop     # stops the daemon this script started
#
# Works as root: pulse only warns that it is "not intended to be run as root" with --system=false.

lumi_pulse_null() {
  local repo_dir
  repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

  export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/xdg-runtime-$(id -u)}"
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR" || return 1
  export PULSE_SERVER="unix:$XDG_RUNTIME_DIR/pulse/native"
  # Only the pulse plugin: keeps PortAudio's device list short and stderr quiet.
  export ALSA_CONFIG_PATH="$repo_dir/tests/audio/asound.conf"

  if [ "${1:-}" = "stop" ]; then
    if [ -f "$XDG_RUNTIME_DIR/pulse/pid" ]; then
      kill "$(cat "$XDG_RUNTIME_DIR/pulse/pid")" 2>/dev/null
    fi
    return 0
  fi

  if ! command -v pulseaudio >/dev/null 2>&1; then
    echo "pulse-null: pulseaudio is not installed (apt-get install pulseaudio pulseaudio-utils libasound2-plugins)" >&2
    return 1
  fi

  if ! pulseaudio --check 2>/dev/null; then
    # -n skips default.pa (udev detection, suspend-on-idle); exit-idle-time=-1 keeps it up between tests.
    pulseaudio -n --daemonize=yes --exit-idle-time=-1 --disallow-exit \
      --system=false --use-pid-file=yes --log-target=stderr \
      -L "module-native-protocol-unix" \
      -L "module-null-sink sink_name=vsink sink_properties=device.description=vsink rate=48000 channels=2" \
      -L "module-always-sink" -L "module-cli-protocol-unix" 2>/dev/null
  fi

  local i
  for i in $(seq 50); do
    pactl info >/dev/null 2>&1 && break
    sleep 0.1
  done
  if ! pactl info >/dev/null 2>&1; then
    echo "pulse-null: the PulseAudio daemon did not come up at $PULSE_SERVER" >&2
    return 1
  fi

  if ! pactl list short sinks | cut -f2 | grep -qx vsink; then
    pactl load-module module-null-sink sink_name=vsink \
      sink_properties=device.description=vsink rate=48000 channels=2 >/dev/null || return 1
  fi
  # pacmd (kill-sink-input, kill-source-output) lets tests pull a stream from under Lumi.
  if ! pactl list short modules | cut -f2 | grep -qx module-cli-protocol-unix; then
    pactl load-module module-cli-protocol-unix >/dev/null || return 1
  fi
  pactl set-default-sink vsink && pactl set-default-source vsink.monitor
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  lumi_pulse_null "$@"
  exit $?
fi
lumi_pulse_null "$@"
