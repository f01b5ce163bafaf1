"""静安区社区发展基金 (seed 001): a district's policy that stacks on its streets' programmes."""
