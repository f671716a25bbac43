-- The read side of issue 19 (docs/adr/0014-order-search-and-priority.md, addendum).
--
-- A find sorted by priority and then due date (the order board's "most urgent first") reads
-- this index in order (backwards when descending) instead of sorting every order; the index of
-- migration 14 (rank, id) stays for a sort on the priority alone.
CREATE INDEX ix_production_orders_priority_due ON production_orders (schedule_priority_rank, due_date, id);

-- The security generation: one number that every change of what authenticates a request —
-- users, roles, and a token's hash, owner, kind, expiry, revocation or enabled flag — moves
-- forward, whoever writes (services, the command line, another process, raw SQL). The
-- server's token cache (crates/shopfloor_server/src/auth_cache.rs) keeps a resolved caller only
-- while the generation it was read at is still the current one. A token's `last_used_date` (written once a minute
-- per token) does not move it; new tokens do not either, since unknown secrets are never cached.
CREATE TABLE security_generations (
    id INTEGER NOT NULL CONSTRAINT pk_security_generations PRIMARY KEY,
    generation INTEGER NOT NULL,
    CONSTRAINT ck_security_generations_one CHECK (id = 1)
);
INSERT INTO security_generations (id, generation) VALUES (1, 0);
CREATE TRIGGER tr_users_security_insert AFTER INSERT ON users BEGIN
    UPDATE security_generations SET generation = generation + 1;
END;
CREATE TRIGGER tr_users_security_update AFTER UPDATE ON users BEGIN
    UPDATE security_generations SET generation = generation + 1;
END;
CREATE TRIGGER tr_users_security_delete AFTER DELETE ON users BEGIN
    UPDATE security_generations SET generation = generation + 1;
END;
CREATE TRIGGER tr_roles_security_insert AFTER INSERT ON roles BEGIN
    UPDATE security_generations SET generation = generation + 1;
END;
CREATE TRIGGER tr_roles_security_update AFTER UPDATE ON roles BEGIN
    UPDATE security_generations SET generation = generation + 1;
END;
CREATE TRIGGER tr_roles_security_delete AFTER DELETE ON roles BEGIN
    UPDATE security_generations SET generation = generation + 1;
END;
CREATE TRIGGER tr_api_tokens_security_update AFTER UPDATE ON api_tokens
WHEN old.token_hash IS NOT new.token_hash OR old.user_id IS NOT new.user_id OR old.kind IS NOT new.kind
    OR old.expires_date IS NOT new.expires_date OR old.revoked_date IS NOT new.revoked_date
    OR old.enabled IS NOT new.enabled OR old.csrf_hash IS NOT new.csrf_hash BEGIN
    UPDATE security_generations SET generation = generation + 1;
END;
CREATE TRIGGER tr_api_tokens_security_delete AFTER DELETE ON api_tokens BEGIN
    UPDATE security_generations SET generation = generation + 1;
END;
