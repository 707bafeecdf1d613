"""Static analysis and flow simulation over the compiled model."""
