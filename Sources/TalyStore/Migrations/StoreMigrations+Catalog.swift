import GRDB

extension StoreMigrations {
    /// Products, stock per location and stock reservations.
    ///
    /// The stock rules live in the schema as well as in the code: `on_hand ≥ 0` and
    /// `0 ≤ reserved ≤ on_hand` are CHECK constraints, so no statement, however written, can
    /// leave a negative or oversold stock row. Inventory rows reach their product through the
    /// composite `(tenant_id, product_id)` key, like every cross-table link of the store.
    /// Frozen: the SQL here must not change once landed.
    static func migrateCatalog(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE product (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
                    sku TEXT NOT NULL CHECK (length(sku) BETWEEN 1 AND 64),
                    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
                    description TEXT NOT NULL,
                    price_amount INTEGER NOT NULL CHECK (price_amount BETWEEN 0 AND 9007199254740991),
                    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
                    attributes TEXT NOT NULL CHECK (json_valid(attributes) AND json_type(attributes) = 'object'),
                    status TEXT NOT NULL CHECK (status IN ('active', 'draft', 'archived')),
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL CHECK (updated_at >= created_at),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    UNIQUE (tenant_id, sku),
                    UNIQUE (tenant_id, id)
                );

                CREATE TABLE inventory (
                    tenant_id INTEGER NOT NULL,
                    product_id INTEGER NOT NULL,
                    location TEXT NOT NULL CHECK (length(location) BETWEEN 1 AND 64),
                    on_hand INTEGER NOT NULL CHECK (on_hand >= 0),
                    reserved INTEGER NOT NULL CHECK (reserved >= 0 AND reserved <= on_hand),
                    updated_at DATETIME NOT NULL,
                    version INTEGER NOT NULL CHECK (version >= 1),
                    PRIMARY KEY (tenant_id, product_id, location),
                    FOREIGN KEY (tenant_id, product_id) REFERENCES product(tenant_id, id) ON DELETE CASCADE
                ) WITHOUT ROWID;

                CREATE TABLE inventory_reservation (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id INTEGER NOT NULL,
                    product_id INTEGER NOT NULL,
                    location TEXT NOT NULL,
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    created_at DATETIME NOT NULL,
                    UNIQUE (tenant_id, id),
                    FOREIGN KEY (tenant_id, product_id, location)
                        REFERENCES inventory(tenant_id, product_id, location) ON DELETE CASCADE
                );
                CREATE INDEX inventory_reservation_on_stock
                    ON inventory_reservation(tenant_id, product_id, location);
                """
        )
    }
}
