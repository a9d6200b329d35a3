-- template_versions over every shard (the view of the same name in a union connection, union.py):
-- each shard registers the template versions its own contacts used, so one version can be in
-- several, with the same provenance but its own registered_at; the first registration of each
-- provenance wins, as in one book. Reads _all_template_versions.
CREATE OR REPLACE VIEW template_versions AS
SELECT * FROM _all_template_versions
QUALIFY row_number() OVER (PARTITION BY template_id, template_version, source, author, reviewer
                           ORDER BY registered_at) = 1;
