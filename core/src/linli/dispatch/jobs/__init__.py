"""Dispatch of jobs: matching jobs to providers' workers, offers and on-time rates."""
