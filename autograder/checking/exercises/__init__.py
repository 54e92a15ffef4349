"""One module per notebook declares its exercises."""
