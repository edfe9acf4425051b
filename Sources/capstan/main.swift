print("capstan")
