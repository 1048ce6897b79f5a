"""linli-noticeboard: the community notice board (社区公告栏) module for Linli."""
