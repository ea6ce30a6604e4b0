"""Units shared by the domain's tables (hours, ISO weeks): the tolerances they are compared with."""

#: Hours below which a load is not counted as over capacity (hours are kept to one decimal).
EPSILON_HOURS = 0.05
