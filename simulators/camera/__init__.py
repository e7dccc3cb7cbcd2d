"""Virtual document camera (高拍仪): synthetic scenes with ground truth, played as a camera.

``page`` renders A4 pages (Chinese text in the CJK font, a table, a receipt QR); ``scene``
places a page on a desk under random perspective, lighting, blur, glare and clutter and keeps the
true corners; ``sequence`` makes clips (a page laid down, then still); ``store`` writes frames
and ground truth where ``cv2.VideoCapture`` reads them; ``metrics`` scores a detection
SmartDoc-style; ``cli`` is ``simulators camera``.
"""
