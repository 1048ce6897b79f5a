"""The file store: uploads sent with module operations (an after-sale photo), kept per module."""
