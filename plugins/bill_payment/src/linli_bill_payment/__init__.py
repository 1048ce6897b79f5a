"""Bill payment (代缴水电费): a Linli module written against the SDK alone."""
