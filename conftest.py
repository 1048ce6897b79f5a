"""Settings every test session of the repository shares (loaded before any test is collected).

Hypothesis: no per-example deadline and no "too slow" health check. Property tests here drive
real databases, and on a loaded 2-core machine an example's time says nothing about its
correctness; the number of examples each test runs is unchanged.
"""

from hypothesis import HealthCheck, settings

settings.register_profile("linli", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("linli")
