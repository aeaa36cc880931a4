"""TTS evaluation: pocketsphinx word error rates of synthesised speech."""
