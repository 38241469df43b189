"""Resolve: artifacts -> the explicit pipeline the runtime executes (ResolvedSpec), per-turn
plans (ResolvedTurnPlan) and bundles built from their inputs. See ADR 0002."""
