"""The person: accounts, profiles and physiology, consent, access tokens and socket authentication."""
