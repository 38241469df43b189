"""Floor 4, validation: discover -> load -> schema -> index -> the checks it is given -> Report. Never imports resolve; imports rules and below."""
