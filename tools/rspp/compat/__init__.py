"""Capability floor: compatibility over time. Breaking changes between artifact versions
(compared as resolved views), the compatibility modes, version skew, dated deprecations and
waivers. May import lifecycle (git, the lock) and every floor below it; never commands or cli."""
