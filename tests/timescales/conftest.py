"""The clock is fed by referrals and orders: their fixtures, shared."""

from ..orders.conftest import legal  # noqa: F401
from ..referrals.conftest import front_door, refer  # noqa: F401
