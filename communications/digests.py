def digests_compose_weekly():
    return []
