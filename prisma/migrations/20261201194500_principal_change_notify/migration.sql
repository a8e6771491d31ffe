-- API processes keep the principals of tokens they have just resolved for a few seconds; any change to a
-- token or to a membership a token acts through (revocation, expiry, erasure) tells every listening
-- process at commit to forget them, so a revocation holds everywhere as soon as it is committed.
CREATE FUNCTION notify_principal_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('principal_changed', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER api_token_principal_changed AFTER UPDATE OR DELETE ON "api_token"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_principal_changed();
CREATE TRIGGER membership_principal_changed AFTER UPDATE OR DELETE ON "membership"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_principal_changed();
