package catalog

func benchCatalog() *Catalog { return fixtureCatalog() }
