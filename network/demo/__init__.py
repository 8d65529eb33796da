"""Demo data for the network app, one module per concern; see load_demo_data for the order."""
