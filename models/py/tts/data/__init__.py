"""TTS training data: text generation, the text front-end bridge, teacher synthesis."""
