"""The simulated city: ground truth, channels through the portal's services, the measure."""
