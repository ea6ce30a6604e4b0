"""The statuses of a plan, in plain words for the front ends (no polars, no OR-Tools)."""

#: Plan statuses, in plain words for the front ends.
STATUS_OPTIMAL = "OPTIMAL"  # proven best plan for the policy's weights
STATUS_FEASIBLE = "FEASIBLE"  # a valid plan, not proven best (time limit reached)
STATUS_INFEASIBLE = "INFEASIBLE"  # pinned work and fixed load exceed capacity: see conflicts
STATUS_CANCELLED = "CANCELLED_WITH_PLAN"  # stopped by the user: the best plan found so far
