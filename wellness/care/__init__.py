"""Care: organisations, clinicians, care relationships and the patient's sharing grants."""
