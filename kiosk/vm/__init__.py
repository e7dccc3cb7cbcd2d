"""The kiosk's view-models: plain QObjects that QML binds to and tests drive without a window."""
