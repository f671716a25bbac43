-- The read side of issue 19 (docs/adr/0014-order-search-and-priority.md, addendum).
--
-- A find sorted by priority and then due date (the order board's "most urgent first") reads
-- this index in order (backwards when descending: DESC NULLS LAST) instead of sorting every
-- order; the index of migration 14 (rank, id) stays for a sort on the priority alone.
CREATE INDEX ix_production_orders_priority_due ON production_orders (schedule_priority_rank NULLS FIRST, due_date NULLS FIRST, id);

-- The security generation: one number that every change of what authenticates a request —
-- users, roles, and a token's hash, owner, kind, expiry, revocation or enabled flag — moves
-- forward, whoever writes (services, the command line, another instance, raw SQL). The
-- server's token cache (crates/shopfloor_server/src/auth_cache.rs) keeps a resolved caller only
-- while the generation it was read at is still the current one. A token's `last_used_date` (written once a minute
-- per token) does not move it; new tokens do not either, since unknown secrets are never cached.
CREATE TABLE security_generations (
    id BIGINT NOT NULL CONSTRAINT pk_security_generations PRIMARY KEY,
    generation BIGINT NOT NULL,
    CONSTRAINT ck_security_generations_one CHECK (id = 1)
);
INSERT INTO security_generations (id, generation) VALUES (1, 0);
CREATE FUNCTION security_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE security_generations SET generation = generation + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER tr_users_security AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION security_generation_bump();
CREATE TRIGGER tr_roles_security AFTER INSERT OR UPDATE OR DELETE ON roles
    FOR EACH STATEMENT EXECUTE FUNCTION security_generation_bump();
CREATE TRIGGER tr_api_tokens_security_update AFTER UPDATE ON api_tokens FOR EACH ROW
    WHEN (OLD.token_hash IS DISTINCT FROM NEW.token_hash OR OLD.user_id IS DISTINCT FROM NEW.user_id
        OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.expires_date IS DISTINCT FROM NEW.expires_date
        OR OLD.revoked_date IS DISTINCT FROM NEW.revoked_date OR OLD.enabled IS DISTINCT FROM NEW.enabled
        OR OLD.csrf_hash IS DISTINCT FROM NEW.csrf_hash)
    EXECUTE FUNCTION security_generation_bump();
CREATE TRIGGER tr_api_tokens_security_delete AFTER DELETE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION security_generation_bump();
