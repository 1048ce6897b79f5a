"""The module the conformance suite runs on the kit and on the platform alike."""
