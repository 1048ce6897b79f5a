"""linli-toolbox: Shared toolbox (共享工具箱), a Linli module."""
