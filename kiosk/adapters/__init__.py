"""The real adapters behind kiosk/ports.py: devices through drivers/, the hall and the card
service through their clients."""
