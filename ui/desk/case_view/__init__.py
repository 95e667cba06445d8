"""One case on screen: its procedure as a timeline, the acts it allows, its parties and its documents."""
