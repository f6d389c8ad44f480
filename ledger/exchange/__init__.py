"""Files in and out: batch imports and exports."""
