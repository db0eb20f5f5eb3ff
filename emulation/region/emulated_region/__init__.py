"""moto in server mode, extended with what rolling out an Auto Scaling group needs from AWS:
instance refresh, per-instance launch template versions, and target health that moves in
(scaled) time. See ../README.md."""
