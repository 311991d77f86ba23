"""Qt log lines that a machine without a sound device produces; they are not failures."""

# QtMultimedia's FFmpeg backend and PulseAudio log at warning level when there is no sound
# device (CI, offscreen). Playback still runs on the media clock; these lines are noise.
MEDIA_NOISE = [
    r"PulseAudioService",
    r"No audio device",
    r"Couldn't (load|resolve)",
    r"qt\.multimedia",
    # The offscreen platform cannot pass a top-level window's size limits on; harmless.
    r"does not support propagateSizeHints",
]
