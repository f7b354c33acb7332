//! Diesel's description of the tables, matching `migrations/`.

diesel::table! {
    journal_entries (id) {
        id -> Int8,
        user_id -> Uuid,
        content -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int8,
    }
}

diesel::table! {
    neon_auth.user (id) {
        id -> Uuid,
        name -> Text,
        email -> Text,
        #[sql_name = "emailVerified"]
        email_verified -> Bool,
        image -> Nullable<Text>,
        #[sql_name = "createdAt"]
        created_at -> Timestamptz,
        #[sql_name = "updatedAt"]
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    journal_idempotency_keys (user_id, key) {
        user_id -> Uuid,
        key -> Text,
        content_sha256 -> Text,
        entry_id -> Nullable<Int8>,
        entry_created_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(journal_entries -> user (user_id));
diesel::allow_tables_to_appear_in_same_query!(journal_entries, user);
