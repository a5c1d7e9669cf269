"""The demo data set. Development only: these passwords are public."""

DEMO_USERS = [
    # (username, password, is_staff)
    ("staff", "staff", True),
    ("alice", "alice", False),
    ("bob", "bob", False),
]

DEMO_PRODUCTS = [
    # (sku, name, description, price, currency, on hand)
    ("MUG-CLASSIC", "Classic mug", "Stoneware mug, 330 ml.", "12.50", "EUR", 120),
    ("MUG-TRAVEL", "Travel mug", "Insulated steel mug with a lid, 450 ml.", "24.90", "EUR", 60),
    (
        "TEA-EARLGREY",
        "Earl Grey tea",
        "Loose-leaf black tea with bergamot, 100 g.",
        "8.40",
        "EUR",
        200,
    ),
    ("TEA-SENCHA", "Sencha", "Japanese green tea, 100 g.", "11.20", "EUR", 150),
    ("COFFEE-ESP", "Espresso beans", "Dark roast whole beans, 1 kg.", "21.00", "EUR", 80),
    ("COFFEE-FILT", "Filter coffee", "Medium roast, ground for filter, 500 g.", "9.90", "EUR", 90),
    ("KETTLE-STEEL", "Steel kettle", "Stovetop kettle, 1.5 l.", "39.00", "EUR", 25),
    ("GRINDER-HAND", "Hand grinder", "Conical burr coffee grinder.", "54.00", "EUR", 15),
    ("FRENCH-PRESS", "French press", "Glass and steel, 1 l.", "29.50", "EUR", 40),
    ("POUR-OVER", "Pour-over dripper", "Ceramic dripper, size 02.", "18.00", "EUR", 35),
    ("FILTERS-100", "Paper filters", "Size 02, pack of 100.", "4.20", "EUR", 300),
    ("SCALE-DIGI", "Coffee scale", "Digital scale with timer, 0.1 g.", "33.00", "EUR", 20),
    ("TEAPOT-CAST", "Cast-iron teapot", "Enamelled inside, 0.8 l.", "47.00", "EUR", 12),
    ("INFUSER-BALL", "Tea infuser", "Stainless mesh ball.", "5.50", "EUR", 180),
    ("HONEY-ACACIA", "Acacia honey", "Runny honey, 500 g.", "7.80", "EUR", 70),
    ("BISCUIT-ALM", "Almond biscuits", "Crisp almond biscuits, 200 g.", "3.90", "EUR", 140),
    ("CHOC-DARK", "Dark chocolate", "70% cocoa bar, 100 g.", "2.95", "EUR", 250),
    ("CUP-ESPRESSO", "Espresso cups", "Set of two porcelain cups, 90 ml.", "16.00", "EUR", 45),
    ("TRAY-BAMBOO", "Bamboo tray", "Serving tray, 40 x 30 cm.", "22.00", "EUR", 30),
    ("COASTERS-CORK", "Cork coasters", "Set of six.", "6.00", "EUR", 110),
    ("MILK-FROTHER", "Milk frother", "Battery-powered whisk.", "12.00", "EUR", 55),
    ("SYRUP-VAN", "Vanilla syrup", "For coffee, 250 ml.", "6.50", "EUR", 65),
    ("GIFT-BOX", "Gift box", "Mug, tea and biscuits in a box.", "29.00", "EUR", 10),
    ("LAST-ONE", "Limited print", "Numbered art print; only a few exist.", "99.00", "EUR", 3),
]
