class OrderNotFound(LookupError):
    def __init__(self, order_id):
        super().__init__(f"No order {order_id}.")
        self.order_id = order_id


class UnknownProducts(LookupError):
    def __init__(self, skus: list[str]):
        super().__init__(f"The catalog has no product with sku {', '.join(skus)}.")
        self.skus = skus


class ProductsUnavailable(ValueError):
    def __init__(self, skus: list[str]):
        super().__init__(f"No longer for sale: {', '.join(skus)}.")
        self.skus = skus
