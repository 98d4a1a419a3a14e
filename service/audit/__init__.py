"""The audit log: who (which key) changed what, and when, per tenant.

`record()` is called inside the transaction of the change it tells of, so a
change and its audit event are committed together or not at all.
"""
