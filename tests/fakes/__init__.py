"""Local fakes of the platforms' HTTP APIs, driven by the real SDK clients."""
