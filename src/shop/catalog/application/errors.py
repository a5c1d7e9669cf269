class ProductNotFound(LookupError):
    def __init__(self, sku: str):
        super().__init__(f"No product with sku {sku}.")
        self.sku = sku


class ProductAlreadyExists(ValueError):
    def __init__(self, sku: str):
        super().__init__(f"A product with sku {sku} already exists.")
        self.sku = sku
