"""Capability floor: releases. The schedule a rollout follows (``plan``); publishing, signing
and verifying bundles follow (ADR 0008). May import compat and every floor below it; never
commands or cli."""
