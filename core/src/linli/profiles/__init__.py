"""Purchase facts, resident profiles (用户画像) and repurchase reminders (复购唤醒).

Modules report what residents bought (``host.purchases``); with a resident's separate consent
to personalisation the platform derives tags from that resident's own facts (an item and its
estimated repurchase cycle, each with its explanation) and reminds them before a cycle runs
out. Without consent nothing is derived. Facts and tags go with the resident's data export
and are erased with their personal data.
"""
