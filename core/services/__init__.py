"""Services: the only code that changes data. Web pages, API endpoints, CLI commands and tasks
all call these, so a rule holds whichever face a person uses."""
