"""From schema-checked documents to the model: references resolved, conditions built,
every error collected as a located diagnostic instead of raised."""
