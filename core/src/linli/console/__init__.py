"""The operator console: pages in the browser on top of the platform's own services.

Mounted at ``/console`` (:func:`linli.console.app.console_routes`). An operator signs in with
their own Linli identity (phone and one-time code); a server-side session maps the browser to
that account; every page resolves the community and the caller the way the API does and checks
the route's `linli.http.access.Access`, then calls the same service the API route calls.
"""
