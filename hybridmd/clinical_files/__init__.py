"""ECG and image uploads: validation, de-identification, storage and viewers."""
